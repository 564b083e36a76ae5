$x = Integer =~ /a/
site { }
