$x = 'a' =~ true
site { }
