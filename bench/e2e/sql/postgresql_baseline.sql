-- The baselines' target in PostgreSQL: the benchmark tables with the equivalent types, written
-- by the raw COPY (init baseline) and the pipelined client (CDC baselines). psql variable
-- `schema` names it (bench/run.sh: bench_copy); the schema is recreated empty.
DROP SCHEMA IF EXISTS :"schema" CASCADE;
CREATE SCHEMA :"schema";
SET search_path = :"schema";

CREATE TYPE orders_status AS ENUM ('new', 'paid', 'shipped', 'delivered', 'cancelled');

CREATE TABLE orders (
  id          bigint NOT NULL PRIMARY KEY,
  customer_id integer NOT NULL,
  status      orders_status NOT NULL,
  amount      numeric(12,2) NOT NULL,
  note        varchar(200),
  ordered_at  timestamp(6) NOT NULL,
  updated_at  timestamp(0),             -- MySQL TIMESTAMP read in UTC
  is_gift     smallint NOT NULL,
  attributes  jsonb
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE customers (
  id         integer NOT NULL PRIMARY KEY,
  email      varchar(120) NOT NULL,
  name       varchar(100) NOT NULL,
  country    char(2) NOT NULL,
  balance    numeric(10,2) NOT NULL,
  birth_date date,
  tags       text NOT NULL,             -- SET members, comma-separated
  avatar     bytea
);

CREATE TABLE events (
  id          numeric(20,0) NOT NULL PRIMARY KEY,  -- bigint unsigned
  happened_at timestamp(3) NOT NULL,
  kind        smallint NOT NULL,
  payload     text
);

CREATE TABLE bench_marker (
  id      bigint NOT NULL PRIMARY KEY,
  sent_us bigint NOT NULL
);
