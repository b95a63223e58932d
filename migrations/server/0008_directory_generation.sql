-- A generation number of the directory as the clients see it (the `person` entities of
-- each organ's bucket). Every statement that can change a published person bumps it;
-- a pull republishes an organ's people only when the generation moved since that
-- server last looked, instead of reading the organ's whole directory on every poll.
--
-- Statement-level triggers: an import of 1,000 users bumps it once. Logins (failed
-- attempts, lockout, password changes) touch none of the watched columns.

CREATE TABLE directory_generation (
    only_row    boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation  bigint NOT NULL
);
INSERT INTO directory_generation (only_row, generation) VALUES (true, 1);

CREATE FUNCTION bump_directory_generation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER organs_directory_generation
    AFTER INSERT OR DELETE OR UPDATE OF code ON organs
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation();
CREATE TRIGGER departments_directory_generation
    AFTER INSERT OR DELETE OR UPDATE OF name, organ_id ON departments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation();
CREATE TRIGGER users_directory_generation
    AFTER INSERT OR DELETE OR UPDATE OF login, display_name, organ_id, department_id, disabled ON users
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation();
CREATE TRIGGER user_roles_directory_generation
    AFTER INSERT OR DELETE OR UPDATE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation();
CREATE TRIGGER positions_directory_generation
    AFTER INSERT OR DELETE OR UPDATE ON positions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_generation();

-- Routing looks positions up by holder (a person's titles, on every pull that checks a
-- supervisor and on every publish).
CREATE INDEX positions_holder ON positions (holder_user_id);
