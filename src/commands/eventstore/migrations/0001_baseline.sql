-- The owned tables as the release before numbered migrations created them at start, written
-- so that a database that release set up (tables there, no schema_migrations) is taken under
-- version control unchanged: every statement is IF NOT EXISTS, and the columns that release
-- added later are ADD COLUMN IF NOT EXISTS, in the order it added them.

-- The event log (eventsourcing's application recorder, notification ids in commit order).
CREATE TABLE IF NOT EXISTS public.stored_events (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);
CREATE UNIQUE INDEX IF NOT EXISTS stored_events_notification_id_idx
    ON public.stored_events (notification_id ASC);

-- The library's composite type and insert function (unused: DB functions stay off, appends
-- go through xuncha_append), kept as that release made them.
DO $$
BEGIN
    CREATE TYPE public.stored_event_uuid AS (
        originator_id uuid, originator_version bigint, topic text, state bytea
    );
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
CREATE OR REPLACE FUNCTION public.es_insert_events_uuid(events public.stored_event_uuid[])
RETURNS SETOF bigint LANGUAGE plpgsql AS
$BODY$BEGIN    SET LOCAL lock_timeout = '3s';    NOTIFY "stored_events";    RETURN QUERY    INSERT INTO "public"."stored_events" AS t (    originator_id, originator_version, topic, state)    SELECT originator_id, originator_version, topic, state    FROM unnest(events)    RETURNING notification_id;END;$BODY$;

-- Idempotency records of commands.
CREATE TABLE IF NOT EXISTS public.command_idempotency (
    scope text PRIMARY KEY,
    request_hash text NOT NULL,
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The hash chain and its signed checkpoints (v2: the Merkle tree's size and root).
CREATE TABLE IF NOT EXISTS public.event_chain (
    position bigint PRIMARY KEY,
    link bytea NOT NULL CHECK (octet_length(link) = 32)
);
CREATE TABLE IF NOT EXISTS public.chain_checkpoints (
    position bigint PRIMARY KEY,
    link bytea NOT NULL,
    key_id text NOT NULL,
    signature bytea NOT NULL,
    signed_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.chain_checkpoints
    ADD COLUMN IF NOT EXISTS tree_size bigint,
    ADD COLUMN IF NOT EXISTS root bytea;

-- The Merkle tree over the log.
CREATE TABLE IF NOT EXISTS public.merkle_nodes (
    level smallint NOT NULL,
    idx bigint NOT NULL,
    hash bytea NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS public.merkle_leaves (
    leaf bigint PRIMARY KEY,
    position bigint NOT NULL UNIQUE
);

-- Verdicts of the log's verifications.
CREATE TABLE IF NOT EXISTS public.log_verifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('full', 'incremental')),
    run_by text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    from_position bigint NOT NULL,
    through_position bigint NOT NULL,
    through_link bytea NOT NULL,
    events bigint NOT NULL,
    ok boolean NOT NULL,
    first_bad_position bigint,
    reason text,
    problems integer NOT NULL,
    checkpoints_verified integer NOT NULL
);
CREATE INDEX IF NOT EXISTS log_verifications_full ON public.log_verifications (id)
    WHERE kind = 'full';

-- Subject keys (crypto-shredding) and the ring that names this database's wrapping keys.
CREATE TABLE IF NOT EXISTS public.subject_keys (
    subject_id text PRIMARY KEY,
    wrapped_key bytea,
    kek_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz,
    erased_by text,
    reason text,
    CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
ALTER TABLE public.subject_keys
    ADD COLUMN IF NOT EXISTS key_bucket int,
    ADD COLUMN IF NOT EXISTS key_epoch int;
CREATE TABLE IF NOT EXISTS public.subject_key_ring (ring_id text PRIMARY KEY);

-- The read side's positions and parked (poison) events.
CREATE TABLE IF NOT EXISTS public.projection_tracking (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.projection_parked (
    name text NOT NULL,
    position bigint NOT NULL,
    event_id uuid,
    event_type text NOT NULL,
    error text NOT NULL,
    first_failed_at timestamptz NOT NULL,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL,
    PRIMARY KEY (name, position)
);

-- The Kafka relay's health and the signed heads it published.
CREATE TABLE IF NOT EXISTS public.kafka_relay_status (
    name text PRIMARY KEY,
    published_total bigint NOT NULL DEFAULT 0,
    last_published_at timestamptz,
    last_error text,
    last_error_at timestamptz
);
ALTER TABLE public.kafka_relay_status ADD COLUMN IF NOT EXISTS last_success_at timestamptz;
CREATE TABLE IF NOT EXISTS public.published_heads (
    channel text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Kafka consumers: their health, and the reference consumer's tables.
CREATE TABLE IF NOT EXISTS public.kafka_consumer_status (
    name text PRIMARY KEY,
    last_success_at timestamptz,
    last_error text,
    last_error_at timestamptz,
    lag bigint
);
CREATE TABLE IF NOT EXISTS public.ae_seen_event (
    ce_id uuid PRIMARY KEY,
    ce_type text NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.ae_rectification_item (
    item_id uuid PRIMARY KEY,
    inspection_id uuid NOT NULL,
    organization_id text NOT NULL,
    organization_name text NOT NULL,
    year int NOT NULL,
    deadline date NOT NULL,
    status text NOT NULL,
    closed_on date,
    on_time boolean,
    stream_version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS public.ae_shared_result (
    result_id uuid PRIMARY KEY,
    organization_id text NOT NULL,
    year int NOT NULL,
    basis text NOT NULL,
    evaluation_grade text,
    completion_rate double precision,
    published_on date NOT NULL
);
CREATE TABLE IF NOT EXISTS public.ae_annual_evaluation (
    organization_id text NOT NULL,
    year int NOT NULL,
    organization_name text NOT NULL,
    items_total int NOT NULL,
    items_closed int NOT NULL,
    items_closed_on_time int NOT NULL,
    completion_rate double precision,
    results_shared int NOT NULL,
    last_grade text,
    PRIMARY KEY (organization_id, year)
);
