// TLSStore (default certificate and certificate list; only the store named "default" is used for routing).
import { domainSchema } from './common';
import { Schema, arr, obj, str } from './schema';

export const certificateSchema: Schema = obj(
  { secretName: str('Secret (tls.crt/tls.key) holding the certificate.') },
  'A certificate from a Secret.',
  { required: ['secretName'] },
);

export const tlsStoreSpecSchema: Schema = obj(
  {
    defaultCertificate: certificateSchema,
    defaultGeneratedCert: obj(
      { resolver: str('ACME resolver issuing the default certificate.'), domain: domainSchema },
      'Default certificate obtained from an ACME resolver.',
    ),
    certificates: arr(certificateSchema, 'Certificates of the store.'),
  },
  'TLSStore specification.',
);
