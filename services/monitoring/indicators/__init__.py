"""The indicators of the wall, the statistics API and the warnings: one definition each (``catalogue``)."""
