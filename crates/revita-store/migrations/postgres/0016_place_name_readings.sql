-- Search keys now read polyphonic characters as place names do (长沙
-- changsha, 成都 chengdu, 厦门 xiamen, 西藏 xizang): every key is computed
-- again when the store next opens (the store fills keys that are NULL).
UPDATE regions SET search_key = NULL;
