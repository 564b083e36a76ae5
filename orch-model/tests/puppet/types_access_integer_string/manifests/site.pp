$x = Integer['a']
site { }
