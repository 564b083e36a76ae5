notify { default: message => 1; default: message => 2 }
site { }
