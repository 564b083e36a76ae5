# A database connection: produced by the database tier, consumed by every web node.
Puppet::Type.newtype(:dbconn, :is_capability => true) do
  newparam :name, :namevar => true
  newparam :host
  newparam :port
  newparam :database
  newparam :user
end
