$x = 'a' !~ 1.5
site { }
