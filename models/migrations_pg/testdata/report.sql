-- What the triggers keep, printed the same way by sqlite3 and psql -At.
SELECT 'cache_versions', id, site, comments FROM cache_versions;
SELECT 'discussions', article_id, version, approved, threads FROM discussions ORDER BY article_id;
SELECT 'comments', id, status, root_id, score FROM comments ORDER BY id;
SELECT 'live_counts', scope, key, n FROM live_counts ORDER BY scope, key;
SELECT 'article_tags', article_id, tag_id, live_at FROM article_tags ORDER BY article_id, tag_id;
SELECT 'article_authors', article_id, user_id, live_at FROM article_authors ORDER BY article_id, user_id;
SELECT 'search_docs', id, title, dek, body, replace(tags, '
', '/'), replace(authors, '
', '/') FROM search_docs ORDER BY id;
SELECT 'search_refresh', count(*) FROM search_refresh;
SELECT 'live_stories', article_id, ended_at, version FROM live_stories ORDER BY article_id;
SELECT 'article_autosaves', user_id, article_id FROM article_autosaves ORDER BY user_id, article_id;
