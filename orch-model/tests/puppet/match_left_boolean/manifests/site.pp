$x = true =~ /a/
site { }
