$x = -'a'
site { }
