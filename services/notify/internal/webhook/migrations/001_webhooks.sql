-- Each community team's webhook: where its discharge notices are POSTed,
-- the secret they are signed with, and how far delivery has got. Delivery
-- follows the team's feed stream in order: the next notice is the one after
-- delivered_version, and it is retried until it is accepted or the webhook
-- is declared dead.
CREATE TABLE {{.schema}}.webhooks (
    team              text        PRIMARY KEY,
    url               text        NOT NULL,
    secret            text        NOT NULL,
    delivered_version bigint      NOT NULL DEFAULT 0,
    state             text        NOT NULL DEFAULT 'delivering' CHECK (state IN ('delivering', 'failing', 'dead')),
    attempts          int         NOT NULL DEFAULT 0, -- failed attempts at the next notice
    last_error        text        NOT NULL DEFAULT '',
    last_attempt_at   timestamptz,
    last_delivered_at timestamptz,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_due_idx ON {{.schema}}.webhooks (next_attempt_at) WHERE state <> 'dead';
