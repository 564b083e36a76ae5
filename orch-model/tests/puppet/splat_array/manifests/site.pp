notify { 'x': * => [1] }
site { }
