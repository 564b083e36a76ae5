warning(String(sha1('a')))
site { }
