$x = Regexp['a', 'b']
site { }
