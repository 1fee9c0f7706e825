-- A reconciliation looks for the replies already recorded in a comment's
-- thread: by the comment the reply answers, and by the comments that
-- answer the same first comment.
CREATE INDEX outbox_target ON outbox (account_id, target_ref);
CREATE INDEX comments_parent ON comments (account_id, parent_external_id);
