$v = has_key(['a'], 'a')
site { }
