// BitGo and FinHub organizations as code: enterprise users, organizations, child enterprises, wallet shares and FinHub personnel.
package orgstack
