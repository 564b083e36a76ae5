$x = 'a' =~ [1]
site { }
