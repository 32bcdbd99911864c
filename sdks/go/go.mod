module github.com/orgstack/orgstack/sdks/go

go 1.25

require github.com/pulumi/pulumi/sdk/v3 v3.248.0
