$x = "abc"[true]
site { }
