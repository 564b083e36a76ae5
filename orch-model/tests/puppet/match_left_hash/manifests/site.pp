$x = {} =~ /a/
site { }
