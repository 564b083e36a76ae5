notify { 'x': * => undef }
site { }
