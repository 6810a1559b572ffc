-- The read models live in generations: schemas <control>_g1, <control>_g2,
-- ..., each a complete copy built from the event stream. One generation is
-- live; a rebuild builds the next beside it and switches over in one
-- transaction, so readers never see a half-built copy.
CREATE TABLE {{.schema}}.generations (
    generation int         PRIMARY KEY,
    state      text        NOT NULL CHECK (state IN ('building', 'live', 'retired', 'dropped', 'abandoned')),
    created_at timestamptz NOT NULL DEFAULT now(),
    live_at    timestamptz,
    retired_at timestamptz,
    replayed   bigint      -- events a rebuild replayed into it
);

-- The pointer every reader follows. Every projector transaction reads it
-- FOR SHARE before writing, and a switch updates it, which waits for those
-- transactions and holds new ones back until the switch commits: nothing a
-- projector commits can land in a generation that has just stopped being
-- live.
CREATE TABLE {{.schema}}.live_generation (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation int     NOT NULL REFERENCES {{.schema}}.generations
);
