-- The 文号 registry: one sequence per 机关代字 per year, and every number handed out.

CREATE TABLE doc_number_sequences (
    code      text NOT NULL,
    year      integer NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last_seq  bigint NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (code, year)
);

CREATE TABLE doc_numbers (
    code            text NOT NULL,
    year            integer NOT NULL,
    seq             bigint NOT NULL,
    document_id     text NOT NULL CHECK (length(document_id) BETWEEN 1 AND 100),
    allocated_by    bigint REFERENCES users (id),
    allocated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, year, seq),
    UNIQUE (code, year, document_id)
);
