import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider } from './auth.tsx';
import { App } from './App.tsx';
// Stylesheets by component, in cascade order (later files may override earlier ones).
import './styles/base.css';
import './styles/header.css';
import './styles/buttons.css';
import './styles/feedback.css';
import './styles/cards.css';
import './styles/plans.css';
import './styles/auth.css';
import './styles/checkout.css';
import './styles/payment-results.css';
import './styles/subscription.css';
import './styles/payments-table.css';
import './styles/forms-tables.css';
import './styles/dialogs.css';
import './styles/subscription-manage.css';
import './styles/receipt.css';
import './styles/admin.css';
import './styles/admin-charts.css';
import './styles/admin-users.css';
import './styles/usage-bar.css';
import './styles/admin-engine.css';
import './styles/receipt-details.css';
import './styles/operator-console.css';
import './styles/operator-actions.css';
import './styles/legal.css';
import './styles/admin-prices.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider>
      <App />
    </AuthProvider>
  </StrictMode>,
);
