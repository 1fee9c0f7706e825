-- The inbox's order (high severity first, then reply deadline, priority and
-- age) as an index over open items only, so the first page of a queue of
-- any size is read in index order instead of sorting every open comment.
-- The expressions and the WHERE clause must stay identical to the ones in
-- `Desk::queue` (piazza-desk/src/queue.rs), or the planner ignores it.
CREATE INDEX comments_open_order ON comments (
    admin_id,
    (CASE WHEN severity >= 0.6 THEN 0 ELSE 1 END),
    (CASE WHEN deadline_at IS NULL THEN 1 ELSE 0 END),
    deadline_at,
    priority DESC,
    created_at,
    id
) WHERE state IN ('new', 'in_review');
