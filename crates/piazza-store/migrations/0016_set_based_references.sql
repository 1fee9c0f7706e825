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

-- One check for every reference of a row, named by the trigger's arguments
-- in pairs (column, parent table). After an insert, the statement's new
-- rows are checked as a set; after an update that changed a reference
-- (row triggers, see below), the changed row.
CREATE FUNCTION piazza_check_references() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    i INT := 0;
    val BIGINT;
    missing BIGINT;
BEGIN
    WHILE i < TG_NARGS LOOP
        missing := NULL;
        IF TG_LEVEL = 'STATEMENT' THEN
            EXECUTE format(
                'SELECT n.%1$I FROM new_rows n WHERE n.%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = n.%1$I) LIMIT 1',
                TG_ARGV[i], TG_ARGV[i + 1]) INTO missing;
        ELSE
            EXECUTE format('SELECT ($1).%I', TG_ARGV[i]) USING NEW INTO val;
            IF val IS NOT NULL THEN
                EXECUTE format('SELECT CASE WHEN EXISTS (SELECT 1 FROM %I p WHERE p.id = $1) THEN NULL ELSE $1 END',
                    TG_ARGV[i + 1]) USING val INTO missing;
            END IF;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates the reference of %', TG_TABLE_NAME, TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[i], missing, TG_ARGV[i + 1]);
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$;

-- The other side: rows deleted from a parent table that a child still
-- names (arguments in pairs: child table, column) refuse the delete.
CREATE FUNCTION piazza_check_referenced() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    i INT := 0;
    missing BIGINT;
BEGIN
    WHILE i < TG_NARGS LOOP
        EXECUTE format(
            'SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM %1$I c WHERE c.%2$I = o.id) LIMIT 1',
            TG_ARGV[i], TG_ARGV[i + 1]) INTO missing;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates the reference from table "%"', TG_TABLE_NAME, TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', missing, TG_ARGV[i]);
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION piazza_refuse_id_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the id of a row of "%" does not change', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END $$;

-- Inserts as sets. An update is checked only when it changes a reference,
-- row by row (an update of a comment's state or text checks nothing, as a
-- foreign key would not): transition tables cannot go with a column list.
CREATE TRIGGER comments_references_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'account_id', 'accounts',
        'post_id', 'posts', 'policy_version_id', 'policy_versions');
CREATE TRIGGER comments_references_update AFTER UPDATE OF admin_id, account_id, post_id, policy_version_id ON comments
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.account_id IS DISTINCT FROM NEW.account_id
        OR OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.policy_version_id IS DISTINCT FROM NEW.policy_version_id)
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'account_id', 'accounts',
        'post_id', 'posts', 'policy_version_id', 'policy_versions');
CREATE TRIGGER comment_revisions_references_insert AFTER INSERT ON comment_revisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'comment_id', 'comments');
CREATE TRIGGER comment_revisions_references_update AFTER UPDATE OF admin_id, comment_id ON comment_revisions
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.comment_id IS DISTINCT FROM NEW.comment_id)
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'comment_id', 'comments');
CREATE TRIGGER findings_references_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'comment_id', 'comments',
        'policy_version_id', 'policy_versions');
CREATE TRIGGER findings_references_update AFTER UPDATE OF admin_id, comment_id, policy_version_id ON findings
    FOR EACH ROW WHEN (OLD.admin_id IS DISTINCT FROM NEW.admin_id OR OLD.comment_id IS DISTINCT FROM NEW.comment_id
        OR OLD.policy_version_id IS DISTINCT FROM NEW.policy_version_id)
    EXECUTE FUNCTION piazza_check_references('admin_id', 'administrations', 'comment_id', 'comments',
        'policy_version_id', 'policy_versions');

CREATE TRIGGER administrations_references_delete AFTER DELETE ON administrations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_referenced('comments', 'admin_id', 'comment_revisions', 'admin_id', 'findings', 'admin_id');
CREATE TRIGGER accounts_references_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_referenced('comments', 'account_id');
CREATE TRIGGER posts_references_delete AFTER DELETE ON posts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_referenced('comments', 'post_id');
CREATE TRIGGER policy_versions_references_delete AFTER DELETE ON policy_versions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_referenced('comments', 'policy_version_id', 'findings', 'policy_version_id');
CREATE TRIGGER comments_references_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION piazza_check_referenced('comment_revisions', 'comment_id', 'findings', 'comment_id');

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
