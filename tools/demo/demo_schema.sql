-- Demo MariaDB database `demo` for the quickstart: a few small tables exercising what a replicator
-- must carry over (utf8mb4 text, unsigned and bigint keys, decimals, SET/ENUM, BLOB, JSON,
-- fractional datetimes, timestamps, NULLs, a table without primary key).
-- Load it with the admin account, e.g.: tools/testenv.sh mysql < tools/demo/demo_schema.sql
-- Re-runnable: the database is dropped and rebuilt; every value is deterministic.

SET NAMES utf8mb4;
SET time_zone = '+00:00'; -- timestamp values below are UTC whatever the server's zone
SET sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

DROP DATABASE IF EXISTS demo;
CREATE DATABASE IF NOT EXISTS demo CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE demo;

CREATE TABLE customers (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email      VARCHAR(255) NOT NULL,
  name       VARCHAR(100) NOT NULL,
  country    CHAR(2)      NOT NULL,
  created_at DATETIME(6)  NOT NULL,
  vip        TINYINT(1)   NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uk_customers_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE products (
  id      SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name    VARCHAR(120)      NOT NULL,
  price   DECIMAL(10, 2)    NOT NULL,
  tags    SET('new', 'sale', 'eco') NOT NULL DEFAULT '',
  picture BLOB              NULL,
  status  ENUM('active', 'retired') NOT NULL DEFAULT 'active',
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

CREATE TABLE orders (
  id          BIGINT        NOT NULL,
  customer_id INT UNSIGNED  NOT NULL,
  placed_at   TIMESTAMP     NOT NULL DEFAULT CURRENT_TIMESTAMP,
  total       DECIMAL(12, 2) NOT NULL,
  note        TEXT          NULL,
  payload     JSON          NULL,
  PRIMARY KEY (id),
  KEY idx_orders_customer_id (customer_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

-- No primary key and no unique key: updates and deletes can only be matched on every column, and
-- two identical rows may exist.
CREATE TABLE audit_log (
  logged_at DATETIME(3)  NOT NULL,
  actor     VARCHAR(64)  NOT NULL,
  action    VARCHAR(32)  NOT NULL,
  detail    TEXT         NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_general_ci;

INSERT INTO customers (id, email, name, country, created_at, vip) VALUES
  (1,  'ada@example.com',       'Ada Lovelace',            'GB', '2023-01-05 09:15:00.000000', 1),
  (2,  'alan@example.com',      'Alan Turing',             'GB', '2023-01-12 14:02:31.250000', 0),
  (3,  'zoe@example.com',       'Zoë Ångström',            'SE', '2023-02-01 08:00:00.000001', 0),
  (4,  'jose@example.com',      'José Müller-Peña',        'ES', '2023-02-14 19:45:12.123456', 1),
  (5,  'francois@example.com',  'François Lefèvre',        'FR', '2023-03-03 23:59:59.999999', 0),
  (6,  'lukasz@example.com',    'Łukasz Żółkiewski',       'PL', '2023-03-17 06:30:00.500000', 0),
  (7,  'yamada@example.com',    '山田 太郎',                 'JP', '2023-04-01 00:00:00.000000', 1),
  (8,  'sofia@example.com',     'Sofía 😀 García',          'MX', '2023-04-22 12:12:12.121212', 0),
  (9,  'olga@example.com',      'Ольга Иванова',           'RU', '2023-05-09 17:05:00.000000', 0),
  (10, 'noah@example.com',      'Noah O''Brien',           'IE', '2023-05-30 10:10:10.101010', 0),
  (11, 'amira@example.com',     'أميرة حداد',              'EG', '2023-06-11 21:00:00.000000', 1),
  (12, 'bjorn@example.com',     'Bjørn Ødegård',           'NO', '2023-06-28 07:07:07.070707', 0),
  (13, 'chen@example.com',      '陈静 🐉',                  'CN', '2023-07-15 13:37:00.000000', 0),
  (14, 'eleni@example.com',     'Ελένη Παπαδοπούλου',      'GR', '2023-08-02 16:20:00.000000', 0),
  (15, 'ines@example.com',      'Inês Conceição',          'PT', '2023-08-19 11:11:11.000000', 1),
  (16, 'mario@example.com',     'Mario "Super" Rossi',     'IT', '2023-09-06 09:09:09.090909', 0),
  (17, 'priya@example.com',     'Priya Raghunathan',       'IN', '2023-09-23 18:18:18.181818', 0),
  (18, 'tomas@example.com',     'Tomáš Dvořák',            'CZ', '2023-10-10 10:00:00.000000', 0),
  (19, 'kemal@example.com',     'Kemal Şahin',             'TR', '2023-11-01 02:03:04.050607', 0),
  (20, 'back\\slash@example.com', 'Back\\Slash Tab	Mc🍕Pizza', 'US', '2023-12-31 23:59:59.000000', 1);

INSERT INTO products (id, name, price, tags, picture, status) VALUES
  (1,  'Espresso cup',         7.50,   'new',          UNHEX('89504E470D0A1A0A0000000D49484452'), 'active'),
  (2,  'Café grinder ☕',      89.99,  'sale',         UNHEX('FFD8FFE000104A464946000101000001'), 'active'),
  (3,  'Bamboo toothbrush',    3.20,   'eco',          NULL,                                      'active'),
  (4,  'Recycled notebook',    12.00,  'new,eco',      UNHEX('00FF00FF7F80'),                     'active'),
  (5,  'Clearance kettle',     19.95,  'sale,eco',     NULL,                                      'retired'),
  (6,  'Steel bottle 750 ml',  24.00,  '',             UNHEX('474946383961010001008000'),         'active'),
  (7,  'Solar lamp',           149.00, 'new,sale,eco', UNHEX('00000000'),                         'active'),
  (8,  'Wool socks (3 pairs)', 18.40,  'eco',          '',                                        'active'),
  (9,  'Gift card',            50.00,  '',             NULL,                                      'active'),
  (10, 'Legacy teapot',        0.99,   'sale',         UNHEX('DEADBEEF'),                         'retired');

-- 100 orders with ids above 2^32 (bigint), spread over customers and the year 2024.
INSERT INTO orders (id, customer_id, placed_at, total, note, payload)
WITH RECURSIVE seq (n) AS (
  SELECT 1
  UNION ALL
  SELECT n + 1 FROM seq WHERE n < 100
)
SELECT 5000000000 + n,
       1 + (n * 7) % 20,
       TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (n * 83) HOUR + INTERVAL (n * 17) % 60 MINUTE,
       CAST((n * 37) % 500 + ((n * 13) % 100) / 100 + 5 AS DECIMAL(12, 2)),
       CASE
         WHEN n % 3 = 0 THEN NULL
         WHEN n % 10 = 1 THEN CONCAT('Leave at the "back" door; O''Neill''s parcel\nline two #', n)
         WHEN n % 10 = 4 THEN CONCAT('Rückruf erwünscht 📞 — C:\\orders\\', n)
         ELSE CONCAT('order ', n)
       END,
       CASE
         WHEN n % 25 = 0 THEN NULL
         ELSE JSON_OBJECT(
                'items', JSON_ARRAY(JSON_OBJECT('product_id', 1 + n % 10, 'qty', 1 + n % 4),
                                    JSON_OBJECT('product_id', 1 + (n * 3) % 10, 'qty', 1)),
                'gift', IF(n % 4 = 0, TRUE, FALSE),
                'coupon', IF(n % 5 = 0, CONCAT('SAVE', n % 30), NULL),
                'channel', ELT(1 + n % 3, 'web', 'app', 'shop'))
       END
  FROM seq;

INSERT INTO audit_log (logged_at, actor, action, detail) VALUES
  ('2024-01-01 00:00:00.000', 'system',   'boot',   NULL),
  ('2024-01-02 09:30:15.250', 'ada',      'login',  'from 192.0.2.10'),
  ('2024-01-02 09:31:00.000', 'ada',      'update', 'customers.id=1 vip 0->1'),
  ('2024-01-03 12:00:00.000', 'cron',     'report', 'daily totals'),
  ('2024-01-03 12:00:00.000', 'cron',     'report', 'daily totals'), -- duplicate on purpose
  ('2024-01-04 18:45:59.999', 'josé',     'login',  'Ünïcödé actor 🙂'),
  ('2024-01-05 07:00:00.001', 'system',   'backup', 'ok'),
  ('2024-01-06 22:10:00.000', 'alan',     'delete', 'orders.id=5000000042'),
  ('2024-01-07 03:03:03.303', 'system',   'vacuum', ''),
  ('2024-01-08 11:11:11.111', 'priya',    'logout', NULL);
