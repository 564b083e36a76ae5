# Presence only: puppetlabs-stdlib 5.2.0 has lib/puppet/parser/functions/validate_x509_rsa_key_pair.rb (orch implements some natively).
