package main

// The program: BitGo enterprise admins, wallet shares and a FinHub organization's employees, declared
// with the generated Go SDK (sdks/go) from a team description (team.json).

import (
	"github.com/orgstack/orgstack/sdks/go/orgstack/bitgo"
	"github.com/orgstack/orgstack/sdks/go/orgstack/finhub"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Team is what the stack manages.
type Team struct {
	// BitGo: the enterprise and its users.
	EnterpriseID string   `json:"enterpriseId"`
	Users        []Member `json:"users"`
	// BitGo: one wallet and who may see or spend from it.
	Coin     string  `json:"coin"`
	WalletID string  `json:"walletId"`
	Shares   []Share `json:"shares"`
	// FinHub: an organization and its employees (the first must be an ADMIN_USER).
	FinHub *Onboarding `json:"finhub,omitempty"`
}

type Member struct {
	Name        string   `json:"name"`
	Username    string   `json:"username"`
	Permissions []string `json:"permissions"`
}

type Share struct {
	Name        string   `json:"name"`
	User        string   `json:"user"`
	Permissions []string `json:"permissions"`
	Message     string   `json:"message,omitempty"`
}

type Onboarding struct {
	LegalName          string     `json:"legalName"`
	RegistrationNumber string     `json:"registrationNumber"`
	Email              string     `json:"email"`
	Country            string     `json:"country"`
	Employees          []Employee `json:"employees"`
}

type Employee struct {
	Name        string   `json:"name"`
	FirstName   string   `json:"firstName"`
	LastName    string   `json:"lastName"`
	Email       string   `json:"email"`
	DateOfBirth string   `json:"dateOfBirth"`
	Nationality string   `json:"nationality"`
	Role        string   `json:"role"`
	Roles       []string `json:"roles,omitempty"`
	Department  string   `json:"department,omitempty"`
}

// Admins declares the team's resources.
func Admins(team Team) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, m := range team.Users {
			perms := bitgo.EnterpriseUserPermissionArray{}
			for _, p := range m.Permissions {
				perms = append(perms, bitgo.EnterpriseUserPermission(p))
			}
			user, err := bitgo.NewEnterpriseUser(ctx, m.Name, &bitgo.EnterpriseUserArgs{
				EnterpriseId: pulumi.String(team.EnterpriseID),
				Username:     pulumi.String(m.Username),
				Permissions:  perms,
			})
			if err != nil {
				return err
			}
			ctx.Export(m.Name+"UserId", user.UserId)
		}
		for _, s := range team.Shares {
			perms := bitgo.WalletSharePermissionArray{}
			for _, p := range s.Permissions {
				perms = append(perms, bitgo.WalletSharePermission(p))
			}
			args := &bitgo.WalletShareArgs{
				Coin:        pulumi.String(team.Coin),
				WalletId:    pulumi.String(team.WalletID),
				User:        pulumi.String(s.User),
				Permissions: perms,
			}
			if s.Message != "" {
				args.Message = pulumi.String(s.Message)
			}
			share, err := bitgo.NewWalletShare(ctx, s.Name, args)
			if err != nil {
				return err
			}
			ctx.Export(s.Name+"ShareId", share.ShareId)
		}
		if team.FinHub != nil {
			return onboard(ctx, *team.FinHub)
		}
		return nil
	}
}

// onboard declares the FinHub organization and its employees; the others wait for the first (the admin).
func onboard(ctx *pulumi.Context, o Onboarding) error {
	org, err := finhub.NewOrganization(ctx, "organization", &finhub.OrganizationArgs{
		LegalName:          pulumi.String(o.LegalName),
		RegistrationNumber: pulumi.String(o.RegistrationNumber),
		Email:              pulumi.String(o.Email),
		Country:            pulumi.String(o.Country),
	})
	if err != nil {
		return err
	}
	ctx.Export("organizationId", org.ID())
	ctx.Export("initialAdminPassword", org.InitialAdminPassword)
	var admin pulumi.Resource
	for _, e := range o.Employees {
		roles := finhub.EmployeeRoleArray{}
		for _, r := range e.Roles {
			roles = append(roles, finhub.EmployeeRole(r))
		}
		args := &finhub.EmployeeArgs{
			OrganizationId: org.ID(),
			Person: finhub.PersonArgs{
				FirstName:   pulumi.String(e.FirstName),
				LastName:    pulumi.String(e.LastName),
				Email:       pulumi.String(e.Email),
				DateOfBirth: pulumi.String(e.DateOfBirth),
				Nationality: pulumi.String(e.Nationality),
			},
			Role: finhub.EmployeeRole(e.Role),
		}
		if len(roles) > 0 {
			args.Roles = roles
		}
		if e.Department != "" {
			args.Department = pulumi.String(e.Department)
		}
		var opts []pulumi.ResourceOption
		if admin != nil {
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{admin}))
		}
		employee, err := finhub.NewEmployee(ctx, e.Name, args, opts...)
		if err != nil {
			return err
		}
		if admin == nil {
			admin = employee
		}
		ctx.Export(e.Name+"RecordId", employee.OrganizationRecordId)
	}
	return nil
}
