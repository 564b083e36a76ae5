$x = 'abc'[1.5]
site { }
