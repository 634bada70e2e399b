-- A password someone else set (an admin's initial password or a reset) is temporary: it opens one sign-in, whose
-- session can do nothing but choose a new password.
ALTER TABLE credentials ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE credentials ADD COLUMN temporary_password_used_at timestamptz;

-- Bumped when a user's sessions must end at once (disabled, password reset or changed): access tokens carry the
-- version they were issued under and are refused on the next request once it moved on.
ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0;
