$x = [1] =~ /a/
site { }
