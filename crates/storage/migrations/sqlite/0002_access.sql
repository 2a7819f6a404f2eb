-- Roles held for offices (passage_domain::policy). A user may hold several
-- roles; each is held either for every office (all_offices = 1) or for the
-- offices listed in user_role_offices. Replaces users.role + user_offices.
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    all_offices BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_role_offices (
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    PRIMARY KEY (user_id, role, office_id),
    FOREIGN KEY (user_id, role) REFERENCES user_roles(user_id, role)
);
CREATE INDEX user_role_offices_office ON user_role_offices (office_id);

INSERT INTO user_roles (user_id, role, all_offices)
    SELECT id, role, CASE WHEN role = 'admin' THEN 1 ELSE 0 END FROM users;
INSERT INTO user_role_offices (user_id, role, office_id)
    SELECT uo.user_id, u.role, uo.office_id FROM user_offices uo JOIN users u ON u.id = uo.user_id;
DROP TABLE user_offices;
ALTER TABLE users DROP COLUMN role;
