$x = Runtime['a']
site { }
