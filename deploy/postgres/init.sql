-- One database per system of record: services never share tables.
CREATE DATABASE registration;
CREATE DATABASE vacancies;
CREATE DATABASE matching;
CREATE DATABASE monitoring;
CREATE DATABASE programmes;
CREATE DATABASE gateway;
