-- The hotline desk and text messages (passage_domain::hotline, ::sms).
--
-- A call is logged by the operator who took it, or made from an inbound
-- SMS that was not a stop word (taken_by is then NULL). A call is open
-- while it has a follow-up due (a protection call always has one, due at
-- once) and done_at is NULL: that is the shift hand-over list and, for
-- protection calls, the protection officer's queue. Notes are sealed.
CREATE TABLE hotline_calls (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    minutes BIGINT CHECK (minutes >= 0),
    channel TEXT NOT NULL,
    language TEXT,
    caller TEXT NOT NULL,
    topic TEXT NOT NULL,
    urgency TEXT NOT NULL,
    protection BIGINT NOT NULL,
    notes TEXT,
    person_id TEXT REFERENCES persons(id),
    case_id TEXT REFERENCES cases(id),
    follow_up_due TEXT,
    done_at TEXT,
    done_by TEXT REFERENCES users(id),
    taken_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX hotline_calls_open ON hotline_calls (office_id, done_at, follow_up_due);
CREATE INDEX hotline_calls_day ON hotline_calls (day);
CREATE INDEX hotline_calls_person ON hotline_calls (person_id);

-- A broadcast: its texts per language, its audience (JSON of
-- passage_domain::sms::Audience) and where it stands.
CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    fallback_language TEXT NOT NULL,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    gateway TEXT NOT NULL,
    recipients BIGINT NOT NULL DEFAULT 0,
    segments BIGINT NOT NULL DEFAULT 0,
    -- Persons the audience selected who had no number a text can reach, when it was sent.
    unreachable BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    approved_by TEXT REFERENCES users(id),
    approved_at TEXT
);

CREATE TABLE broadcast_texts (
    broadcast_id TEXT NOT NULL REFERENCES broadcasts(id),
    language TEXT NOT NULL,
    position BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, language)
);

-- One message to one number. The unique key is what makes a broadcast
-- reach each person at most once, whatever restarts happen: the rows are
-- written once, when the broadcast is sent, and the sender claims a row
-- (status 'sending', committed) before it hands it to the gateway.
-- Messages that are not part of a broadcast (a stop confirmation) have no
-- broadcast_id. next_attempt_at is Unix seconds.
CREATE TABLE sms_outbox (
    id TEXT PRIMARY KEY,
    broadcast_id TEXT REFERENCES broadcasts(id),
    person_id TEXT REFERENCES persons(id),
    phone TEXT NOT NULL,
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    segments BIGINT NOT NULL,
    gateway TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    reported_at TEXT,
    UNIQUE (broadcast_id, person_id)
);
-- Partial indexes: a message is in the queue's index only while it waits
-- (or is being handed over), so its later moves (sent, delivered) rewrite
-- its row and nothing else; a broadcast of 100,000 moves 200,000 times.
CREATE INDEX sms_outbox_due ON sms_outbox (gateway, next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX sms_outbox_handing ON sms_outbox (gateway) WHERE status = 'sending';
CREATE INDEX sms_outbox_broadcast ON sms_outbox (broadcast_id);

-- Every text received, as the gateway delivered it: a stop (which withdrew
-- consents) or a reply (which became a hotline call). The body is sealed.
CREATE TABLE sms_inbound (
    id TEXT PRIMARY KEY,
    gateway TEXT NOT NULL,
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    persons BIGINT NOT NULL,
    call_id TEXT REFERENCES hotline_calls(id),
    received_at TEXT NOT NULL
);
