warning(String(case 3 { 1, 2: { 'a' } default: { 'b' } }))
site { }
