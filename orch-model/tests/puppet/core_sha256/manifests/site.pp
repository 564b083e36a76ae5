warning(String(sha256('a')))
site { }
