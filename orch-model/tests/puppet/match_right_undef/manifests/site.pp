$x = 'a' =~ undef
site { }
