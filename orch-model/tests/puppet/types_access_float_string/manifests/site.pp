$x = Float['a']
site { }
