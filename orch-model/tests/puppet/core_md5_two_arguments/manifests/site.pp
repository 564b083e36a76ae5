warning(String(md5('a', 'b')))
site { }
