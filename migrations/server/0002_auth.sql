-- Sessions. Tokens are opaque random strings; only their SHA-256 is stored.
-- A family is one login: every refresh token issued by rotation belongs to it,
-- and revoking the family ends the session everywhere.

CREATE TABLE auth_families (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_reason  text
);
CREATE INDEX auth_families_user ON auth_families (user_id);

CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    family_id   bigint NOT NULL REFERENCES auth_families (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE access_tokens (
    token_hash  bytea PRIMARY KEY,
    family_id   bigint NOT NULL REFERENCES auth_families (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);
