case 'abc' { /^a(b)/: { warning("m=${1}") } default: { } }
site { }
