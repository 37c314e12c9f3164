"""Matching and 就业红娘: read models of people and vacancies, explainable person–job scoring,
two-way referrals, call-and-assign dispatch of cases to stations, SLA timers and ratings."""
