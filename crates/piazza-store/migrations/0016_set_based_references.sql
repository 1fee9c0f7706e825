-- backend: postgres
--
-- The references of the three tables every ingested comment writes
-- (comments, comment_revisions, findings) are checked once per statement
-- instead of once per row. PostgreSQL checks a declared foreign key with
-- a query per row and per key: with nine of them, an import of 50,000
-- comments ran 600,000 such queries, two thirds of its time
-- (`piazza bench ingest --n 50000 --database-url postgres://...`: 5,400
-- comments/s with them, 17,300/s with none). The same rules hold, checked
-- as sets: a row that names a missing administration, account, post,
-- policy version or comment is refused (SQLSTATE 23503, as a foreign key
-- would), and so is deleting a row that others still name or changing an
-- id. SQLite keeps its declared keys (its checks are index lookups inside
-- the process) and skips this migration.

ALTER TABLE comments
    DROP CONSTRAINT IF EXISTS comments_admin_id_fkey,
    DROP CONSTRAINT IF EXISTS comments_account_id_fkey,
    DROP CONSTRAINT IF EXISTS comments_post_id_fkey,
    DROP CONSTRAINT IF EXISTS comments_policy_version_id_fkey;
ALTER TABLE comment_revisions
    DROP CONSTRAINT IF EXISTS comment_revisions_admin_id_fkey,
    DROP CONSTRAINT IF EXISTS comment_revisions_comment_id_fkey;
ALTER TABLE findings
    DROP CONSTRAINT IF EXISTS findings_admin_id_fkey,
    DROP CONSTRAINT IF EXISTS findings_comment_id_fkey,
    DROP CONSTRAINT IF EXISTS findings_policy_version_id_fkey;

-- Refuses `rows` whose reference in `col` names no row of `parent`.
CREATE FUNCTION piazza_missing_reference(what TEXT, col TEXT, parent TEXT, missing BIGINT)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates the reference of %', what, col
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, missing, parent);
    END IF;
END $$;

CREATE FUNCTION piazza_check_comments() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM piazza_missing_reference('comments', 'admin_id', 'administrations',
        (SELECT n.admin_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM administrations p WHERE p.id = n.admin_id) LIMIT 1));
    PERFORM piazza_missing_reference('comments', 'account_id', 'accounts',
        (SELECT n.account_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM accounts p WHERE p.id = n.account_id) LIMIT 1));
    PERFORM piazza_missing_reference('comments', 'post_id', 'posts',
        (SELECT n.post_id FROM new_rows n WHERE n.post_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = n.post_id) LIMIT 1));
    PERFORM piazza_missing_reference('comments', 'policy_version_id', 'policy_versions',
        (SELECT n.policy_version_id FROM new_rows n WHERE n.policy_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM policy_versions p WHERE p.id = n.policy_version_id) LIMIT 1));
    RETURN NULL;
END $$;

CREATE FUNCTION piazza_check_comment_revisions() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM piazza_missing_reference('comment_revisions', 'admin_id', 'administrations',
        (SELECT n.admin_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM administrations p WHERE p.id = n.admin_id) LIMIT 1));
    PERFORM piazza_missing_reference('comment_revisions', 'comment_id', 'comments',
        (SELECT n.comment_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = n.comment_id) LIMIT 1));
    RETURN NULL;
END $$;

CREATE FUNCTION piazza_check_findings() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM piazza_missing_reference('findings', 'admin_id', 'administrations',
        (SELECT n.admin_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM administrations p WHERE p.id = n.admin_id) LIMIT 1));
    PERFORM piazza_missing_reference('findings', 'comment_id', 'comments',
        (SELECT n.comment_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = n.comment_id) LIMIT 1));
    PERFORM piazza_missing_reference('findings', 'policy_version_id', 'policy_versions',
        (SELECT n.policy_version_id FROM new_rows n WHERE n.policy_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM policy_versions p WHERE p.id = n.policy_version_id) LIMIT 1));
    RETURN NULL;
END $$;

-- An update is checked only when it changes a reference, row by row (an
-- update of a comment's state or text checks nothing, as a foreign key
-- would not): transition tables cannot go with a column list.
CREATE FUNCTION piazza_check_changed_row() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM administrations p WHERE p.id = NEW.admin_id) THEN
        PERFORM piazza_missing_reference(TG_TABLE_NAME, 'admin_id', 'administrations', NEW.admin_id);
    END IF;
    IF TG_TABLE_NAME = 'comments' THEN
        IF NOT EXISTS (SELECT 1 FROM accounts p WHERE p.id = NEW.account_id) THEN
            PERFORM piazza_missing_reference('comments', 'account_id', 'accounts', NEW.account_id);
        END IF;
        IF NEW.post_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = NEW.post_id) THEN
            PERFORM piazza_missing_reference('comments', 'post_id', 'posts', NEW.post_id);
        END IF;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = NEW.comment_id) THEN
            PERFORM piazza_missing_reference(TG_TABLE_NAME, 'comment_id', 'comments', NEW.comment_id);
        END IF;
    END IF;
    -- Nested: NEW of comment_revisions has no policy_version_id to read.
    IF TG_TABLE_NAME <> 'comment_revisions' THEN
        IF NEW.policy_version_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM policy_versions p WHERE p.id = NEW.policy_version_id) THEN
            PERFORM piazza_missing_reference(TG_TABLE_NAME, 'policy_version_id', 'policy_versions', NEW.policy_version_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER comments_references_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_comments();
CREATE TRIGGER comments_references_update AFTER UPDATE OF admin_id, account_id, post_id, policy_version_id ON comments
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.account_id IS DISTINCT FROM NEW.account_id
        OR OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.policy_version_id IS DISTINCT FROM NEW.policy_version_id)
    EXECUTE FUNCTION piazza_check_changed_row();
CREATE TRIGGER comment_revisions_references_insert AFTER INSERT ON comment_revisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_comment_revisions();
CREATE TRIGGER comment_revisions_references_update AFTER UPDATE OF admin_id, comment_id ON comment_revisions
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.comment_id IS DISTINCT FROM NEW.comment_id)
    EXECUTE FUNCTION piazza_check_changed_row();
CREATE TRIGGER findings_references_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_findings();
CREATE TRIGGER findings_references_update AFTER UPDATE OF admin_id, comment_id, policy_version_id ON findings
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.comment_id IS DISTINCT FROM NEW.comment_id
        OR OLD.policy_version_id IS DISTINCT FROM NEW.policy_version_id)
    EXECUTE FUNCTION piazza_check_changed_row();

-- The other side: a parent still named by one of these rows is not
-- deleted, and ids do not change.
CREATE FUNCTION piazza_still_referenced(parent TEXT, child TEXT, missing BIGINT)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%" violates the reference from table "%"', parent, child
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', missing, child);
    END IF;
END $$;

CREATE FUNCTION piazza_check_parent_delete() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'administrations' THEN
        PERFORM piazza_still_referenced('administrations', 'comments',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comments c WHERE c.admin_id = o.id) LIMIT 1));
        PERFORM piazza_still_referenced('administrations', 'comment_revisions',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comment_revisions c WHERE c.admin_id = o.id) LIMIT 1));
        PERFORM piazza_still_referenced('administrations', 'findings',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM findings c WHERE c.admin_id = o.id) LIMIT 1));
    ELSIF TG_TABLE_NAME = 'accounts' THEN
        PERFORM piazza_still_referenced('accounts', 'comments',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comments c WHERE c.account_id = o.id) LIMIT 1));
    ELSIF TG_TABLE_NAME = 'posts' THEN
        PERFORM piazza_still_referenced('posts', 'comments',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comments c WHERE c.post_id = o.id) LIMIT 1));
    ELSIF TG_TABLE_NAME = 'policy_versions' THEN
        PERFORM piazza_still_referenced('policy_versions', 'comments',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comments c WHERE c.policy_version_id = o.id) LIMIT 1));
        PERFORM piazza_still_referenced('policy_versions', 'findings',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM findings c WHERE c.policy_version_id = o.id) LIMIT 1));
    ELSIF TG_TABLE_NAME = 'comments' THEN
        PERFORM piazza_still_referenced('comments', 'comment_revisions',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM comment_revisions c WHERE c.comment_id = o.id) LIMIT 1));
        PERFORM piazza_still_referenced('comments', 'findings',
            (SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM findings c WHERE c.comment_id = o.id) LIMIT 1));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION piazza_refuse_id_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the id of a row of "%" does not change', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END $$;

CREATE TRIGGER administrations_references_delete AFTER DELETE ON administrations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_parent_delete();
CREATE TRIGGER accounts_references_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_parent_delete();
CREATE TRIGGER posts_references_delete AFTER DELETE ON posts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_parent_delete();
CREATE TRIGGER policy_versions_references_delete AFTER DELETE ON policy_versions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_parent_delete();
CREATE TRIGGER comments_references_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION piazza_check_parent_delete();

CREATE TRIGGER administrations_id_fixed BEFORE UPDATE OF id ON administrations
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION piazza_refuse_id_change();
CREATE TRIGGER accounts_id_fixed BEFORE UPDATE OF id ON accounts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION piazza_refuse_id_change();
CREATE TRIGGER posts_id_fixed BEFORE UPDATE OF id ON posts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION piazza_refuse_id_change();
CREATE TRIGGER policy_versions_id_fixed BEFORE UPDATE OF id ON policy_versions
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION piazza_refuse_id_change();
CREATE TRIGGER comments_id_fixed BEFORE UPDATE OF id ON comments
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION piazza_refuse_id_change();
