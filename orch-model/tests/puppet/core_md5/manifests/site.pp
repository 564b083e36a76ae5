warning(String(md5('a')))
site { }
