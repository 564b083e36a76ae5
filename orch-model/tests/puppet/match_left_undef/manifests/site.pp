$x = undef =~ /a/
site { }
