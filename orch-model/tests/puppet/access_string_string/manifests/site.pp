$x = 'abc'['a']
site { }
