-- The benchmark's source database on MariaDB, recreated empty by bench/run.sh on every run.
-- Column order and names must match bench/e2e/workload.cpp (Tables()).
DROP DATABASE IF EXISTS chameleon_bench;
CREATE DATABASE chameleon_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE chameleon_bench;

CREATE TABLE orders (
  id          BIGINT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,                -- refers to customers.id (not enforced)
  status      ENUM('new', 'paid', 'shipped', 'delivered', 'cancelled') NOT NULL,
  amount      DECIMAL(12,2) NOT NULL,
  note        VARCHAR(200) NULL,
  ordered_at  DATETIME(6) NOT NULL,
  updated_at  TIMESTAMP NULL DEFAULT NULL, -- no implicit ON UPDATE: every write sets it
  is_gift     TINYINT(1) NOT NULL,
  attributes  JSON NULL,
  KEY orders_customer (customer_id)
) ENGINE = InnoDB;

CREATE TABLE customers (
  id         INT NOT NULL PRIMARY KEY,
  email      VARCHAR(120) NOT NULL,
  name       VARCHAR(100) NOT NULL,
  country    CHAR(2) NOT NULL,
  balance    DECIMAL(10,2) NOT NULL,
  birth_date DATE NULL,
  tags       SET('vip', 'newsletter', 'b2b', 'wholesale', 'flagged') NOT NULL,
  avatar     BLOB NULL
) ENGINE = InnoDB;

CREATE TABLE events (
  id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,  -- ids above 2^63
  happened_at DATETIME(3) NOT NULL,
  kind        SMALLINT NOT NULL,
  payload     TEXT NULL
) ENGINE = InnoDB;

-- Lag markers: id and send time in microseconds since the epoch (bench_e2e changes --markers).
CREATE TABLE bench_marker (
  id      BIGINT NOT NULL PRIMARY KEY,
  sent_us BIGINT NOT NULL
) ENGINE = InnoDB;

-- The big transaction (bench_e2e big-transaction): one INSERT ... SELECT of N rows.
CREATE TABLE bench_big (
  id      BIGINT NOT NULL PRIMARY KEY,
  payload VARCHAR(100) NOT NULL,
  n       INT NOT NULL
) ENGINE = InnoDB;
